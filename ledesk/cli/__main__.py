from ledesk.cli.main import main

raise SystemExit(main())
