<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Config\Console\Command\EmulatedAdminhtmlAreaProcessor, used only when Magento is not installed.

namespace Magento\Config\Console\Command;

class EmulatedAdminhtmlAreaProcessor
{
    public function process(callable $callback, array $params = [])
    {
        return call_user_func_array($callback, array_values($params));
    }
}
