"""magento_ir: incident response for Magento 2 / Adobe Commerce."""

from magento_ir._version import __version__

__all__ = ["__version__"]
