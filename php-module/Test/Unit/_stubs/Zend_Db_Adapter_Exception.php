<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Zend_Db_Adapter_Exception, used only when Magento is not installed.


class Zend_Db_Adapter_Exception extends \Exception
{
}
