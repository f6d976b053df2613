<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Quote\Api\Data\PaymentInterface, used only when Magento is not installed.

namespace Magento\Quote\Api\Data;

interface PaymentInterface
{
    public function getMethod();

    public function getAdditionalData();
}
