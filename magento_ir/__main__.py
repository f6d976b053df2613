"""`python -m magento_ir`: the `magento-ir` command."""

from magento_ir.cli import main

main()
