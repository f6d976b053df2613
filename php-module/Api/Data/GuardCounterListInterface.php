<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * The payment guard's refusal counters: one per rule that ever refused, the total, and the newest
 * refusal's id (a reader whose cursor equals it has nothing new to read).
 */
interface GuardCounterListInterface
{
    public const KEY_ITEMS = 'items';
    public const KEY_BLOCKED = 'blocked';
    public const KEY_LAST_BLOCK_ID = 'last_block_id';

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\GuardCounterInterface[]
     */
    public function getItems(): array;

    /**
     * Refusals counted over every rule.
     *
     * @return int
     */
    public function getBlocked(): int;

    /**
     * The newest refusal's block_id (0 when none).
     *
     * @return int
     */
    public function getLastBlockId(): int;
}
