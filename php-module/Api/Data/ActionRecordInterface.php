<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * One append-only, hash-chained record of the action log.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface ActionRecordInterface
{
    public const KEY_ACTION_ID = 'action_id';
    public const KEY_ACTION = 'action';
    public const KEY_STATUS = 'status';
    public const KEY_CREATED_AT = 'created_at';
    public const KEY_ACTOR_TYPE = 'actor_type';
    public const KEY_ACTOR_ID = 'actor_id';
    public const KEY_INCIDENT_ID = 'incident_id';
    public const KEY_REASON = 'reason';
    public const KEY_IDEMPOTENCY_KEY = 'idempotency_key';
    public const KEY_REQUEST = 'request';
    public const KEY_PRIOR_STATE = 'prior_state';
    public const KEY_RESULT = 'result';
    public const KEY_PREVIOUS_HASH = 'previous_hash';
    public const KEY_HASH = 'hash';

    /**
     * @return int
     */
    public function getActionId(): int;

    /**
     * @return string
     */
    public function getAction(): string;

    /**
     * @return string
     */
    public function getStatus(): string;

    /**
     * @return string
     */
    public function getCreatedAt(): string;

    /**
     * @return int
     */
    public function getActorType(): int;

    /**
     * @return int
     */
    public function getActorId(): int;

    /**
     * @return string|null
     */
    public function getIncidentId(): ?string;

    /**
     * @return string
     */
    public function getReason(): string;

    /**
     * @return string|null
     */
    public function getIdempotencyKey(): ?string;

    /**
     * @return string
     */
    public function getRequest(): string;

    /**
     * @return string
     */
    public function getPriorState(): string;

    /**
     * @return string
     */
    public function getResult(): string;

    /**
     * @return string
     */
    public function getPreviousHash(): string;

    /**
     * @return string
     */
    public function getHash(): string;
}
