<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\GuardRemovalResultInterface;

/**
 * Outcome of removing payment-guard rules.
 */
final class GuardRemovalResult implements GuardRemovalResultInterface
{
    /**
     * @param GuardRule[] $removed
     * @param int[] $notFound
     */
    public function __construct(
        private readonly int $actionId,
        private readonly bool $replayed,
        private readonly array $removed,
        private readonly array $notFound
    ) {
    }

    /**
     * Rebuilds the object from toArray() output (stored idempotent responses).
     *
     * @param array<string, mixed> $data
     */
    public static function fromArray(array $data): self
    {
        return new self(
            (int) $data[self::KEY_ACTION_ID],
            (bool) $data[self::KEY_REPLAYED],
            array_map([GuardRule::class, 'fromArray'], $data[self::KEY_REMOVED]),
            array_map('intval', $data[self::KEY_NOT_FOUND])
        );
    }

    /**
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        return [
            self::KEY_ACTION_ID => $this->actionId,
            self::KEY_REPLAYED => $this->replayed,
            self::KEY_REMOVED => array_map(static fn (GuardRule $rule): array => $rule->toArray(), $this->removed),
            self::KEY_NOT_FOUND => $this->notFound,
        ];
    }

    /**
     * @return int
     */
    public function getActionId(): int
    {
        return $this->actionId;
    }

    /**
     * @return bool
     */
    public function isReplayed(): bool
    {
        return $this->replayed;
    }

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\GuardRuleInterface[]
     */
    public function getRemoved(): array
    {
        return $this->removed;
    }

    /**
     * @return int[]
     */
    public function getNotFound(): array
    {
        return $this->notFound;
    }
}
