<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Indexer\CacheContext, used only when Magento is not installed.

namespace Magento\Framework\Indexer;

class CacheContext
{
    /** @var array<string, list<int>> */
    private array $entities = [];

    public function registerEntities($cacheTag, $ids)
    {
        $this->entities[$cacheTag] = array_merge($this->entities[$cacheTag] ?? [], $ids);
        return $this;
    }

    public function getRegisteredEntity($cacheTag)
    {
        return $this->entities[$cacheTag] ?? [];
    }

    public function getIdentities()
    {
        $identities = [];
        foreach ($this->entities as $tag => $ids) {
            foreach ($ids as $id) {
                $identities[] = $tag . '_' . $id;
            }
        }
        return $identities;
    }
}
