<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * Products in active quarantines.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface QuarantineListInterface
{
    public const KEY_ITEMS = 'items';
    public const KEY_TOTAL_COUNT = 'total_count';

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\QuarantinedProductInterface[]
     */
    public function getItems(): array;

    /**
     * @return int
     */
    public function getTotalCount(): int;
}
