<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * A product in an active quarantine with its recorded prior statuses.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface QuarantinedProductInterface
{
    public const KEY_QUARANTINE_ID = 'quarantine_id';
    public const KEY_SKU = 'sku';
    public const KEY_PRODUCT_ID = 'product_id';
    public const KEY_QUARANTINED_AT = 'quarantined_at';
    public const KEY_PRIOR_STATUSES = 'prior_statuses';

    /**
     * @return int
     */
    public function getQuarantineId(): int;

    /**
     * @return string
     */
    public function getSku(): string;

    /**
     * @return int
     */
    public function getProductId(): int;

    /**
     * @return string
     */
    public function getQuarantinedAt(): string;

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\StoreStatusInterface[]
     */
    public function getPriorStatuses(): array;
}
