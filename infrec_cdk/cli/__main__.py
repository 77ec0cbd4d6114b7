"""``python -m infrec_cdk.cli``: the ``infrec`` command."""

from infrec_cdk.cli import main

raise SystemExit(main())
