<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * Outcome of releasing the orders of one bulk hold.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters.
 */
interface OrderUnholdResultInterface
{
    public const KEY_ACTION_ID = 'action_id';
    public const KEY_REPLAYED = 'replayed';
    public const KEY_HOLD_ID = 'hold_id';
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
    public function getHoldId(): int;

    /**
     * @return int
     */
    public function getReleased(): int;

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\OrderHoldItemInterface[]
     */
    public function getItems(): array;
}
