<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\User\Model\ResourceModel\User, used only when Magento is not installed.

namespace Magento\User\Model\ResourceModel;

class User
{
    public function lock($userIds, $exceptId, $lifetime)
    {
        return 0;
    }

    public function unlock($userIds)
    {
        return 0;
    }
}
