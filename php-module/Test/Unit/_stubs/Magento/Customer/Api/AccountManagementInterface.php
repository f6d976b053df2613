<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Customer\Api\AccountManagementInterface, used only when Magento is not installed.

namespace Magento\Customer\Api;

interface AccountManagementInterface
{
    public function initiatePasswordReset($email, $template, $websiteId = null);
}
