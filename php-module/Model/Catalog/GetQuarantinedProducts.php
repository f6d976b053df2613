<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Catalog;

use MagentoIr\IncidentResponse\Api\Data\QuarantineListInterface;
use MagentoIr\IncidentResponse\Api\GetQuarantinedProductsInterface;
use MagentoIr\IncidentResponse\Model\Data\QuarantineList;

/**
 * Lists the products in active quarantines with what they were before.
 */
final class GetQuarantinedProducts implements GetQuarantinedProductsInterface
{
    public function __construct(private readonly ProductStatusStore $store)
    {
    }

    /**
     * @inheritdoc
     */
    public function execute(int $quarantineId = 0): QuarantineListInterface
    {
        $products = [];
        foreach ($this->store->activeItems(max(0, $quarantineId)) as $item) {
            $key = $item['quarantine_id'] . ':' . $item['product_id'];
            $products[$key] ??= [
                'quarantine_id' => $item['quarantine_id'],
                'sku' => $item['sku'],
                'product_id' => $item['product_id'],
                'quarantined_at' => $item['created_at'],
                'rows' => [],
            ];
            $products[$key]['rows'][$item['store_id']] = $item['prior_status'];
        }
        $items = [];
        foreach ($products as $product) {
            $product['prior_statuses'] = QuarantineProducts::storeStatuses($product['rows']);
            unset($product['rows']);
            $items[] = $product;
        }
        return QuarantineList::fromArray(['items' => $items, 'total_count' => count($items)]);
    }
}
