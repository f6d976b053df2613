<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Stdlib\DateTime\DateTime, used only when Magento is not installed.

namespace Magento\Framework\Stdlib\DateTime;

class DateTime
{
    public function gmtDate($format = null, $input = null)
    {
        return gmdate($format ?? 'Y-m-d H:i:s', $input === null ? time() : (int) $input);
    }

    public function gmtTimestamp($input = null)
    {
        return $input === null ? time() : (int) $input;
    }
}
