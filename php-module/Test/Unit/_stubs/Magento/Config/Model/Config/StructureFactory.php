<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's generated Magento\Config\Model\Config\StructureFactory, used only when Magento is not installed.

namespace Magento\Config\Model\Config;

class StructureFactory
{
    public function create(array $data = [])
    {
        return new Structure();
    }
}
