<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * admin_user_session rows, newest first.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface AdminSessionListInterface
{
    public const KEY_ITEMS = 'items';
    public const KEY_TOTAL_COUNT = 'total_count';
    public const KEY_TRUNCATED = 'truncated';

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\AdminSessionInterface[]
     */
    public function getItems(): array;

    /**
     * Rows that matched.
     *
     * @return int
     */
    public function getTotalCount(): int;

    /**
     * More rows matched than the cap; only the newest are listed.
     *
     * @return bool
     */
    public function getTruncated(): bool;
}
