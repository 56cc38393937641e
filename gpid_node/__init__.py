"""GPID node: the Goods Passport ID key data set registry, anchored on an EVM chain."""

__version__ = "0.1.0"
__all__ = ["__version__"]
