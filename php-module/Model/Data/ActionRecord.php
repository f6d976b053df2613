<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\ActionRecordInterface;

/**
 * One append-only, hash-chained record of the action log.
 */
final class ActionRecord implements ActionRecordInterface
{
    public function __construct(
        private readonly int $actionId,
        private readonly string $action,
        private readonly string $status,
        private readonly string $createdAt,
        private readonly int $actorType,
        private readonly int $actorId,
        private readonly string $reason,
        private readonly string $request,
        private readonly string $priorState,
        private readonly string $result,
        private readonly string $previousHash,
        private readonly string $hash,
        private readonly ?string $incidentId = null,
        private readonly ?string $idempotencyKey = null
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
     * @return string
     */
    public function getAction(): string
    {
        return $this->action;
    }

    /**
     * @return string
     */
    public function getStatus(): string
    {
        return $this->status;
    }

    /**
     * @return string
     */
    public function getCreatedAt(): string
    {
        return $this->createdAt;
    }

    /**
     * @return int
     */
    public function getActorType(): int
    {
        return $this->actorType;
    }

    /**
     * @return int
     */
    public function getActorId(): int
    {
        return $this->actorId;
    }

    /**
     * @return string|null
     */
    public function getIncidentId(): ?string
    {
        return $this->incidentId;
    }

    /**
     * @return string
     */
    public function getReason(): string
    {
        return $this->reason;
    }

    /**
     * @return string|null
     */
    public function getIdempotencyKey(): ?string
    {
        return $this->idempotencyKey;
    }

    /**
     * @return string
     */
    public function getRequest(): string
    {
        return $this->request;
    }

    /**
     * @return string
     */
    public function getPriorState(): string
    {
        return $this->priorState;
    }

    /**
     * @return string
     */
    public function getResult(): string
    {
        return $this->result;
    }

    /**
     * @return string
     */
    public function getPreviousHash(): string
    {
        return $this->previousHash;
    }

    /**
     * @return string
     */
    public function getHash(): string
    {
        return $this->hash;
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
            action: (string) $data[self::KEY_ACTION],
            status: (string) $data[self::KEY_STATUS],
            createdAt: (string) $data[self::KEY_CREATED_AT],
            actorType: (int) $data[self::KEY_ACTOR_TYPE],
            actorId: (int) $data[self::KEY_ACTOR_ID],
            reason: (string) $data[self::KEY_REASON],
            request: (string) $data[self::KEY_REQUEST],
            priorState: (string) $data[self::KEY_PRIOR_STATE],
            result: (string) $data[self::KEY_RESULT],
            previousHash: (string) $data[self::KEY_PREVIOUS_HASH],
            hash: (string) $data[self::KEY_HASH],
            incidentId: isset($data[self::KEY_INCIDENT_ID]) ? (string) $data[self::KEY_INCIDENT_ID] : null,
            idempotencyKey: isset($data[self::KEY_IDEMPOTENCY_KEY]) ? (string) $data[self::KEY_IDEMPOTENCY_KEY] : null
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
            self::KEY_ACTION => $this->action,
            self::KEY_STATUS => $this->status,
            self::KEY_CREATED_AT => $this->createdAt,
            self::KEY_ACTOR_TYPE => $this->actorType,
            self::KEY_ACTOR_ID => $this->actorId,
            self::KEY_REASON => $this->reason,
            self::KEY_REQUEST => $this->request,
            self::KEY_PRIOR_STATE => $this->priorState,
            self::KEY_RESULT => $this->result,
            self::KEY_PREVIOUS_HASH => $this->previousHash,
            self::KEY_HASH => $this->hash,
        ];
        if ($this->incidentId !== null) {
            $data[self::KEY_INCIDENT_ID] = $this->incidentId;
        }
        if ($this->idempotencyKey !== null) {
            $data[self::KEY_IDEMPOTENCY_KEY] = $this->idempotencyKey;
        }
        return $data;
    }
}
