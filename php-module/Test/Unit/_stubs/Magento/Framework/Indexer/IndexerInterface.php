<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Indexer\IndexerInterface, used only when Magento is not installed.

namespace Magento\Framework\Indexer;

interface IndexerInterface
{
    public function getId();

    public function isScheduled();

    public function reindexList($ids);
}
