<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\DB\Adapter\DuplicateException, used only when Magento is not installed.

namespace Magento\Framework\DB\Adapter;

class DuplicateException extends \Zend_Db_Adapter_Exception
{
}
