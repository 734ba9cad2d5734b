from dockergen.cli import main

raise SystemExit(main())
