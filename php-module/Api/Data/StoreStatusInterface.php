<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * A product status value at one store scope.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface StoreStatusInterface
{
    public const KEY_STORE_ID = 'store_id';
    public const KEY_STATUS = 'status';

    /**
     * @return int
     */
    public function getStoreId(): int;

    /**
     * @return int
     */
    public function getStatus(): int;
}
