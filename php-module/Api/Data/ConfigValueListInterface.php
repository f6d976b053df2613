<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * Matching core_config_data rows, ordered by path, scope, scope_id.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface ConfigValueListInterface
{
    public const KEY_ITEMS = 'items';
    public const KEY_TOTAL_COUNT = 'total_count';

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\ConfigValueInterface[]
     */
    public function getItems(): array;

    /**
     * Rows that matched.
     *
     * @return int
     */
    public function getTotalCount(): int;
}
