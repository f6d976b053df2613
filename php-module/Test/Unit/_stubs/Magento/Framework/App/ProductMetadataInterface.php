<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\App\ProductMetadataInterface, used only when Magento is not installed.

namespace Magento\Framework\App;

interface ProductMetadataInterface
{
    public function getVersion();

    public function getEdition();

    public function getName();
}
