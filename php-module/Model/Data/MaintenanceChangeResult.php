<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\MaintenanceChangeResultInterface;
use MagentoIr\IncidentResponse\Api\Data\MaintenanceStateInterface;

/**
 * Outcome of a maintenance mode change.
 */
final class MaintenanceChangeResult implements MaintenanceChangeResultInterface
{
    public function __construct(
        private readonly int $actionId,
        private readonly bool $replayed,
        private readonly string $previousMode,
        private readonly MaintenanceState $state
    ) {
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
     * @return string
     */
    public function getPreviousMode(): string
    {
        return $this->previousMode;
    }

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\MaintenanceStateInterface
     */
    public function getState(): MaintenanceStateInterface
    {
        return $this->state;
    }

    /**
     * Rebuilds the object from toArray() output (stored idempotent responses).
     *
     * @param array<string, mixed> $data
     */
    public static function fromArray(array $data): self
    {
        return new self(
            actionId: (int) $data[self::KEY_ACTION_ID],
            replayed: (bool) $data[self::KEY_REPLAYED],
            previousMode: (string) $data[self::KEY_PREVIOUS_MODE],
            state: MaintenanceState::fromArray($data[self::KEY_STATE])
        );
    }

    /**
     * The REST wire shape: snake_case keys, null values omitted.
     *
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        $data = [
            self::KEY_ACTION_ID => $this->actionId,
            self::KEY_REPLAYED => $this->replayed,
            self::KEY_PREVIOUS_MODE => $this->previousMode,
            self::KEY_STATE => $this->state->toArray(),
        ];
        return $data;
    }
}
