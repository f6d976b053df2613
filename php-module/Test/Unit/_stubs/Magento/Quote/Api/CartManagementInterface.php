<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Quote\Api\CartManagementInterface, used only when Magento is not installed.

namespace Magento\Quote\Api;

interface CartManagementInterface
{
    public const METHOD_GUEST = 'guest';

    public function placeOrder($cartId, \Magento\Quote\Api\Data\PaymentInterface $paymentMethod = null);
}
