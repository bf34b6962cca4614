from p2pdesk.cli import main

raise SystemExit(main())
