<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Exception\InputException, used only when Magento is not installed.

namespace Magento\Framework\Exception;

class InputException extends LocalizedException
{
}
