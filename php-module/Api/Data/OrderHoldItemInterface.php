<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * What a bulk hold or unhold did to one order.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface OrderHoldItemInterface
{
    public const KEY_ORDER_ID = 'order_id';
    public const KEY_INCREMENT_ID = 'increment_id';
    public const KEY_RESULT = 'result';
    public const KEY_PRIOR_STATE = 'prior_state';
    public const KEY_PRIOR_STATUS = 'prior_status';
    public const KEY_MESSAGE = 'message';

    /**
     * @return int
     */
    public function getOrderId(): int;

    /**
     * @return string|null
     */
    public function getIncrementId(): ?string;

    /**
     * @return string
     */
    public function getResult(): string;

    /**
     * @return string|null
     */
    public function getPriorState(): ?string;

    /**
     * @return string|null
     */
    public function getPriorStatus(): ?string;

    /**
     * @return string|null
     */
    public function getMessage(): ?string;
}
