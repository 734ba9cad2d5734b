from dockergen.cli import entry

entry()
