from dockergen import console

console()
