<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * Outcome of releasing quarantined products.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface ReleaseResultInterface
{
    public const KEY_ACTION_ID = 'action_id';
    public const KEY_REPLAYED = 'replayed';
    public const KEY_QUARANTINE_ID = 'quarantine_id';
    public const KEY_RELEASED = 'released';
    public const KEY_ITEMS = 'items';

    /**
     * @return int
     */
    public function getActionId(): int;

    /**
     * @return bool
     */
    public function isReplayed(): bool;

    /**
     * @return int
     */
    public function getQuarantineId(): int;

    /**
     * @return int
     */
    public function getReleased(): int;

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\ProductResultInterface[]
     */
    public function getItems(): array;
}
