<?php

// phpcs:ignoreFile -- test double keeps the PSR-3 (untyped) signatures
// Minimal test double of PSR-3's Psr\Log\LoggerInterface, used only when Magento is not installed.

namespace Psr\Log;

interface LoggerInterface
{
    public function critical($message, array $context = []);

    public function info($message, array $context = []);
}
