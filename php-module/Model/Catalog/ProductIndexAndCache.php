<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Catalog;

use Magento\Framework\Event\ManagerInterface as EventManager;
use Magento\Framework\Indexer\CacheContext;
use Magento\Framework\Indexer\IndexerRegistry;

/**
 * Makes status changes visible: reindexes products and cleans their page-cache entries.
 *
 * Product\Action's own cache-flush plugin is declared only for the adminhtml area, so a web API call has to
 * clean the page cache itself (Varnish included: clean_cache_by_tags reaches Magento_CacheInvalidate too).
 */
final class ProductIndexAndCache
{
    /** Magento\Catalog\Model\Product::CACHE_TAG */
    public const PRODUCT_CACHE_TAG = 'cat_p';

    /**
     * Stock comes first: disabling a product through Product\Action reindexes stock, which drops its stock-status
     * row, and the price and search indexers leave out a product without one, so a product released without it
     * stayed off the storefront (GraphQL, category pages) until saved again.
     *
     * @param list<string> $indexerIds indexers fed by product status, in dependency order, reindexed when not
     *     "update by schedule"
     */
    public function __construct(
        private readonly CacheContext $cacheContext,
        private readonly EventManager $eventManager,
        private readonly IndexerRegistry $indexerRegistry,
        private readonly array $indexerIds = [
            'cataloginventory_stock',
            'catalog_product_attribute',
            'catalog_product_category',
            'catalog_product_price',
            'catalogsearch_fulltext',
        ]
    ) {
    }

    /**
     * Reindexes after status rows were written directly (scheduled indexers see the change through their triggers).
     *
     * @param list<int> $productIds
     */
    public function reindex(array $productIds): void
    {
        if ($productIds === []) {
            return;
        }
        foreach ($this->indexerIds as $indexerId) {
            try {
                $indexer = $this->indexerRegistry->get($indexerId);
            } catch (\InvalidArgumentException) {
                // That indexer's module is disabled on this store.
                continue;
            }
            if (!$indexer->isScheduled()) {
                $indexer->reindexList($productIds);
            }
        }
    }

    /**
     * @param list<int> $productIds
     */
    public function cleanPageCache(array $productIds): void
    {
        if ($productIds === []) {
            return;
        }
        $this->cacheContext->registerEntities(self::PRODUCT_CACHE_TAG, $productIds);
        $this->eventManager->dispatch('clean_cache_by_tags', ['object' => $this->cacheContext]);
    }
}
