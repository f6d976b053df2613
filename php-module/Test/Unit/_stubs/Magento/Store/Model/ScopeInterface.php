<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Store\Model\ScopeInterface, used only when Magento is not installed.

namespace Magento\Store\Model;

interface ScopeInterface
{
    public const SCOPE_STORES = 'stores';
    public const SCOPE_WEBSITES = 'websites';
    public const SCOPE_STORE = 'store';
    public const SCOPE_WEBSITE = 'website';
}
