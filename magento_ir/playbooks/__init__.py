"""The playbooks shipped with magento_ir (TOML files; see docs/playbooks.md)."""
