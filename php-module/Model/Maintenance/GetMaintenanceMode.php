<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Maintenance;

use MagentoIr\IncidentResponse\Api\Data\MaintenanceStateInterface;
use MagentoIr\IncidentResponse\Api\GetMaintenanceModeInterface;
use MagentoIr\IncidentResponse\Model\Data\MaintenanceState;

/**
 * Reports whether the store is closed, how, and who may still get in.
 */
final class GetMaintenanceMode implements GetMaintenanceModeInterface
{
    public function __construct(private readonly MaintenanceStatus $status)
    {
    }

    /**
     * @inheritdoc
     */
    public function execute(): MaintenanceStateInterface
    {
        return MaintenanceState::fromArray($this->status->current());
    }
}
