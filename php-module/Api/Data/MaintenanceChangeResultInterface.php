<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * Outcome of a maintenance mode change.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface MaintenanceChangeResultInterface
{
    public const KEY_ACTION_ID = 'action_id';
    public const KEY_REPLAYED = 'replayed';
    public const KEY_PREVIOUS_MODE = 'previous_mode';
    public const KEY_STATE = 'state';

    /**
     * @return int
     */
    public function getActionId(): int;

    /**
     * @return bool
     */
    public function isReplayed(): bool;

    /**
     * @return string
     */
    public function getPreviousMode(): string;

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\MaintenanceStateInterface
     */
    public function getState(): MaintenanceStateInterface;
}
