<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * Outcome of a bulk order hold.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface OrderHoldResultInterface
{
    public const KEY_ACTION_ID = 'action_id';
    public const KEY_REPLAYED = 'replayed';
    public const KEY_HOLD_ID = 'hold_id';
    public const KEY_MATCHED = 'matched';
    public const KEY_HELD = 'held';
    public const KEY_REMAINING = 'remaining';
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
     * @return int|null
     */
    public function getHoldId(): ?int;

    /**
     * @return int
     */
    public function getMatched(): int;

    /**
     * @return int
     */
    public function getHeld(): int;

    /**
     * @return int
     */
    public function getRemaining(): int;

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\OrderHoldItemInterface[]
     */
    public function getItems(): array;
}
