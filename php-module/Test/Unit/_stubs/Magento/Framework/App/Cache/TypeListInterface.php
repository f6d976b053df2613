<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\App\Cache\TypeListInterface, used only when Magento is not installed.

namespace Magento\Framework\App\Cache;

interface TypeListInterface
{
    public function getTypes();

    public function getTypeLabels();

    public function getInvalidated();

    public function invalidate($typeCode);

    public function cleanType($typeCode);
}
