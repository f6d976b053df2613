<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Indexer\IndexerRegistry, used only when Magento is not installed.

namespace Magento\Framework\Indexer;

class IndexerRegistry
{
    public function get($indexerId)
    {
        throw new \InvalidArgumentException($indexerId . ' indexer does not exist.');
    }
}
