"""p2pdesk: the desk a physician keeps open during a payer peer-to-peer review call."""

__version__ = "0.1.0"
