"""``python -m infrec_cdk``: the ``infrec`` command."""

from infrec_cdk.cli import main

raise SystemExit(main())
