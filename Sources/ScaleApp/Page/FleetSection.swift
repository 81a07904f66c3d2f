import Foundation

/// The fleet: per role desired / running / healthy on the balancer / ready, and every node, colour-coded.
struct FleetSection: Sendable {
    var data: PageData

    var html: HTML {
        guard let status = data.status else { return "" }
        let names = data.roleOrder.filter { status.roles[$0] != nil } + status.roles.keys.filter { !data.roleOrder.contains($0) }.sorted()
        var summary: [HTML] = []
        var nodes: [HTML] = []
        for name in names {
            guard let role = status.roles[name] else { continue }
            let running = role.nodes.filter { $0.state == "running" }.count
            let healthy = role.nodes.filter { $0.lb.value == "healthy" }.count
            let ready = role.nodes.filter(\.ready).count
            let complete = ready >= role.desired && role.nodes.count >= role.desired
            let unread = role.loadBalancer.flatMap { status.unreadBalancers[$0] }
            let lbCell: HTML = role.loadBalancer.map { balancer in
                unread == nil ? "\(healthy) on \(balancer)" : "<span class=\"warn\">unknown: \(balancer) cannot be read</span>"
            } ?? "<span class=\"muted\">no balancer</span>"
            summary.append("<tr class=\"role \(complete ? "ok" : "warn")\" data-role=\"\(name)\" data-desired=\"\(role.desired)\" data-present=\"\(role.nodes.count)\" data-running=\"\(running)\" data-healthy=\"\(healthy)\" data-ready=\"\(ready)\"><th scope=\"row\">\(name)</th><td>\(role.desired)</td><td>\(running)</td><td>\(lbCell)</td><td>\(ready)</td></tr>")
            for node in role.nodes {
                let state = node.state == "running" ? (node.ready ? "ok" : "warn") : "bad"
                let lb: HTML = role.loadBalancer == nil ? "<span class=\"muted\">-</span>" : "<span class=\"\(node.lb.value == "healthy" ? "ok" : "warn")\">\(node.lb.value ?? "not attached")</span>"
                let readiness: HTML = node.ready ? "<span class=\"ok\">ready</span>" : "<span class=\"bad\">not ready: \(node.problem ?? "?")</span>"
                nodes.append("<tr class=\"node \(state)\" data-node=\"\(node.name)\" data-role=\"\(name)\"><td class=\"name\">\(node.name)</td><td>\(name)</td><td>\(node.state)</td><td>\(node.privateIp ?? "-")</td><td>\(lb)</td><td>\(readiness)</td></tr>")
            }
        }
        let nodeTable: HTML = nodes.isEmpty
            ? "<p class=\"muted\">No node of this fleet exists.</p>"
            : "<div class=\"scroll\"><table class=\"nodes\"><thead><tr><th>node</th><th>role</th><th>state</th><th>address</th><th>balancer</th><th>readiness</th></tr></thead><tbody>\(nodes)</tbody></table></div>"
        return """
            <section id="fleet"><h2>Fleet</h2>\
            <div class="scroll"><table class="roles"><thead><tr><th>role</th><th>desired</th><th>running</th><th>healthy on balancer</th><th>ready</th></tr></thead>\
            <tbody>\(summary)</tbody></table></div>\(nodeTable)</section>
            """
    }
}
