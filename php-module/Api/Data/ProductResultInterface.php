<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * What a quarantine or release did to one requested SKU.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface ProductResultInterface
{
    public const KEY_SKU = 'sku';
    public const KEY_PRODUCT_ID = 'product_id';
    public const KEY_RESULT = 'result';
    public const KEY_PRIOR_STATUSES = 'prior_statuses';

    /**
     * @return string
     */
    public function getSku(): string;

    /**
     * @return int|null
     */
    public function getProductId(): ?int;

    /**
     * @return string
     */
    public function getResult(): string;

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\StoreStatusInterface[]
     */
    public function getPriorStatuses(): array;
}
