<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Authorization\Model\UserContextInterface, used only when Magento is not installed.

namespace Magento\Authorization\Model;

interface UserContextInterface
{
    public const USER_TYPE_INTEGRATION = 1;
    public const USER_TYPE_ADMIN = 2;
    public const USER_TYPE_CUSTOMER = 3;
    public const USER_TYPE_GUEST = 4;

    public function getUserId();

    public function getUserType();
}
