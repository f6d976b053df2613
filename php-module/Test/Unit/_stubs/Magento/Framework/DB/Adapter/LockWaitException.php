<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\DB\Adapter\LockWaitException, used only when Magento is not installed.

namespace Magento\Framework\DB\Adapter;

class LockWaitException extends \Zend_Db_Adapter_Exception
{
}
