<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Exception\NoSuchEntityException, used only when Magento is not installed.

namespace Magento\Framework\Exception;

use Magento\Framework\Phrase;

class NoSuchEntityException extends LocalizedException
{
    public static function singleField($fieldName, $fieldValue)
    {
        return new self(new Phrase(
            'No such entity with %fieldName = %fieldValue',
            ['fieldName' => $fieldName, 'fieldValue' => $fieldValue]
        ));
    }
}
