<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Sales\Api\Data\OrderInterface, used only when Magento is not installed.

namespace Magento\Sales\Api\Data;

interface OrderInterface
{
    public function getCustomerEmail();

    public function getCustomerId();

    public function getCustomerIsGuest();

    public function getQuoteId();

    public function getPayment();
}
