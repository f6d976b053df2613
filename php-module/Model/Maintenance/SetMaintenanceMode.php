<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Maintenance;

use Magento\Framework\App\Cache\TypeListInterface;
use Magento\Framework\App\MaintenanceMode;
use Magento\Framework\Event\ManagerInterface as EventManager;
use Magento\Framework\Exception\InputException;
use Magento\Framework\HTTP\PhpEnvironment\RemoteAddress;
use Magento\Framework\Phrase;
use Magento\Framework\Stdlib\DateTime\DateTime;
use MagentoIr\IncidentResponse\Api\Data\MaintenanceChangeResultInterface;
use MagentoIr\IncidentResponse\Api\SetMaintenanceModeInterface;
use MagentoIr\IncidentResponse\Model\Action\ActionOutcome;
use MagentoIr\IncidentResponse\Model\Action\ActionRunner;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Data\MaintenanceChangeResult;

/**
 * Closes the storefront or checkout (module plugin) or everything (Magento's flag, caller always allowed).
 */
final class SetMaintenanceMode implements SetMaintenanceModeInterface
{
    public const ACTION = 'maintenance.set';
    private const MAX_MESSAGE_LENGTH = 1000;
    private const MAX_ALLOW_IPS = 50;

    public function __construct(
        private readonly ActionRunner $runner,
        private readonly Input $input,
        private readonly MaintenanceStateStore $stateStore,
        private readonly MaintenanceStatus $status,
        private readonly MaintenanceMode $maintenanceMode,
        private readonly RemoteAddress $remoteAddress,
        private readonly TypeListInterface $cacheTypeList,
        private readonly EventManager $eventManager,
        private readonly DateTime $dateTime
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(
        string $mode,
        string $reason,
        ?string $incidentId = null,
        ?string $message = null,
        int $retryAfter = MaintenanceStateStore::DEFAULT_RETRY_AFTER,
        array $allowIps = []
    ): MaintenanceChangeResultInterface {
        if ($message !== null && mb_strlen($message) > self::MAX_MESSAGE_LENGTH) {
            throw $this->input->invalid('message', mb_substr($message, 0, 40) . '...');
        }
        $request = [
            'mode' => $this->input->oneOf('mode', $mode, MaintenanceStateStore::MODES),
            'reason' => $this->input->reason($reason),
            'incidentId' => $this->input->incidentId($incidentId),
            'message' => $message === null || trim($message) === '' ? null : trim($message),
            'retryAfter' => $this->input->intRange('retryAfter', $retryAfter, 60, 86400),
            'allowIps' => $this->allowIps($allowIps),
        ];
        $response = $this->runner->run(
            self::ACTION,
            $request['reason'],
            $request['incidentId'],
            $request,
            fn (): ActionOutcome => $this->apply($request, $mode === 'full' ? $this->callerIp() : null)
        );
        return MaintenanceChangeResult::fromArray($response);
    }

    /**
     * Refused inside the action so the refusal is logged.
     *
     * @throws InputException
     */
    private function callerIp(): string
    {
        $callerIp = (string) $this->remoteAddress->getRemoteAddress();
        if (filter_var($callerIp, FILTER_VALIDATE_IP) === false) {
            throw new InputException(new Phrase(
                'The caller\'s IP address could not be determined, so full maintenance would lock the caller out.'
                . ' Configure RemoteAddress for your proxy, or use mode storefront.'
            ));
        }
        return $callerIp;
    }

    /**
     * @param array<string, mixed> $request
     */
    private function apply(array $request, ?string $callerIp): ActionOutcome
    {
        $prior = $this->status->current();
        $stored = $this->stateStore->read();
        $mode = $request['mode'];
        // Only an allow list we replaced ourselves is put back; one set from the CLI stays as it is.
        $priorAllowedIps = $stored['mode'] === 'full' ? $stored['prior_allowed_ips'] : $prior['allowed_ips'];

        if ($mode === 'full') {
            $allowed = array_values(
                array_unique(array_merge($prior['allowed_ips'], [$callerIp], $request['allowIps']))
            );
            $this->maintenanceMode->setAddresses(implode(',', $allowed));
            $this->maintenanceMode->set(true);
        } elseif ($prior['magento_flag']) {
            $this->maintenanceMode->set(false);
            $this->maintenanceMode->setAddresses(implode(',', $priorAllowedIps));
        }
        $this->stateStore->write([
            'mode' => $mode,
            'message' => $request['message'],
            'retry_after' => $request['retryAfter'],
            'changed_at' => $this->dateTime->gmtDate('Y-m-d H:i:s'),
            'prior_allowed_ips' => $mode === 'full' ? $priorAllowedIps : [],
        ]);
        return new ActionOutcome(
            $prior,
            ['previous_mode' => $prior['mode'], 'state' => $this->status->current()],
            [function (): void {
                // Cached pages would keep being served (or keep showing the 503 page) until the cache is cleaned.
                $this->cacheTypeList->cleanType('full_page');
                $this->eventManager->dispatch('adminhtml_cache_refresh_type', ['type' => 'full_page']);
            }]
        );
    }

    /**
     * @param array<mixed> $ips
     * @return list<string>
     * @throws InputException
     */
    private function allowIps(array $ips): array
    {
        if (count($ips) > self::MAX_ALLOW_IPS) {
            throw $this->input->invalid('allowIps', count($ips) . ' addresses (at most ' . self::MAX_ALLOW_IPS . ')');
        }
        $clean = [];
        foreach ($ips as $ip) {
            $ip = is_string($ip) ? trim($ip) : '';
            [$address, $prefix] = array_pad(explode('/', $ip, 2), 2, null);
            $validPrefix = $prefix === null || (ctype_digit($prefix) && (int) $prefix <= 128);
            if (filter_var($address, FILTER_VALIDATE_IP) === false || !$validPrefix) {
                throw $this->input->invalid('allowIps', $ip);
            }
            $clean[$ip] = $ip;
        }
        return array_values($clean);
    }
}
