<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Maintenance;

use Magento\Framework\App\MaintenanceMode;

/**
 * The effective maintenance state: Magento's flag (however it was set) wins over the module's own modes.
 */
final class MaintenanceStatus
{
    public function __construct(
        private readonly MaintenanceStateStore $stateStore,
        private readonly MaintenanceMode $maintenanceMode
    ) {
    }

    /**
     * Wire shape of MaintenanceStateInterface.
     *
     * @return array<string, mixed>
     */
    public function current(): array
    {
        $state = $this->stateStore->read();
        $flag = $this->maintenanceMode->isOn();
        $mode = $flag ? 'full' : ($state['mode'] === 'full' ? 'off' : $state['mode']);
        $current = [
            'mode' => $mode,
            'retry_after' => $state['retry_after'],
            'allowed_ips' => array_values(array_filter(
                array_map('trim', $this->maintenanceMode->getAddressInfo()),
                static fn (string $ip): bool => $ip !== ''
            )),
            'magento_flag' => $flag,
        ];
        if ($state['message'] !== null && $mode !== 'off') {
            $current['message'] = $state['message'];
        }
        if ($state['changed_at'] !== null) {
            $current['changed_at'] = $state['changed_at'];
        }
        return $current;
    }
}
