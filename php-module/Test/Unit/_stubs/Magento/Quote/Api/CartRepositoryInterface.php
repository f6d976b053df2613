<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Quote\Api\CartRepositoryInterface, used only when Magento is not installed.

namespace Magento\Quote\Api;

interface CartRepositoryInterface
{
    public function get($cartId, array $sharedStoreIds = []);
}
